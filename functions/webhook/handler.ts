// Placeholder while the use case is written; replaced in the same change.
export async function handler(): Promise<never> {
  throw new Error('webhook handler: not built yet');
}

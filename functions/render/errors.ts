/** Errors of the render adapter (Handlebars, Chromium). Each says what to do about it. */
export class RenderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The templates folder (report.hbs, partials/, report.css) was not found or is incomplete. */
export class TemplatesNotFoundError extends RenderError {}

/** A template failed to compile or to render (a bug in a template, not in the data). */
export class TemplateRenderError extends RenderError {}

/** Chromium could not be found or started. */
export class ChromiumLaunchError extends RenderError {}

/** Chromium started but turning the HTML into a PDF failed or timed out. */
export class PdfRenderError extends RenderError {}

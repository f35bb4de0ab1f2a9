import type { TestProject } from 'vitest/node';
import { startDynamoStandIn } from '../infra/local/dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One DynamoDB Local for the whole run (about 2 s to start); each test file uses its own table. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ddb = await startDynamoStandIn({ dataDir: null });
  project.provide('dynamoEndpoint', ddb.endpoint);
  return async () => {
    await ddb.close();
  };
}

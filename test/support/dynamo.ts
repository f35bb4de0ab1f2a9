import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';

/** A DynamoStore on the run's DynamoDB Local, with a table of its own. */
export async function createTestStore(
  prefix = 'test',
): Promise<{ store: DynamoStore; client: DynamoDBClient }> {
  const client = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoStore(client, `${prefix}-${randomUUID().slice(0, 8)}`);
  await store.ensureTable();
  return { store, client };
}

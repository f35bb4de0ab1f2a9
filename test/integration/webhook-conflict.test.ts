/**
 * A webhook whose transaction meets another transaction on the same alert (DynamoDB cancels it
 * with TransactionConflict while, say, a snapshot's many-alert write holds the item) reads the
 * alert again and retries; GitHub does not redeliver a failed delivery by itself.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { createTestStore } from '../support/dynamo.ts';
import { dependabotPayload, signedDelivery } from '../support/webhooks.ts';

const ORG = 'conflict-org';
it.each([
  [1, { status: 200, message: 'recorded' }, 'dismissed'],
  [
    5,
    { status: 503, message: expect.stringMatching(/redeliver it from the webhook's Recent Deliveries/) },
    'open',
  ],
])(
  'after %i conflicting transactions, answers and stores as it should',
  async (times, outcomeWanted, stateWanted) => {
    const { store, client } = await createTestStore('webhook-conflict');
    const deliver = async (p: unknown, id: string) =>
      receiveWebhook(
        { store, secrets: ['s'], log: silentLog },
        await signedDelivery('s', 'dependabot_alert', p, { delivery: id }),
      );
    expect(
      (await deliver(dependabotPayload(ORG, 'created', 'open', '2026-11-02T10:00:00Z'), `c-${times}`)).status,
    ).toBe(200);
    // What DynamoDB answers while another transaction (a snapshot's) holds the alert item: the
    // transaction is cancelled with TransactionConflict on that item (no condition failed).
    let conflicts = times;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && conflicts > 0) {
          conflicts -= 1;
          throw new TransactionCanceledException({
            message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict, None]',
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'transactionConflict' },
    );
    const outcome = await deliver(
      dependabotPayload(ORG, 'dismissed', 'dismissed', '2026-11-10T09:00:00Z'),
      `d-${times}`,
    ).then(
      (res) => ({ status: res.status, message: res.body.message }),
      (error: Error) => ({ status: 500, message: `${error.name}: ${error.message}` }),
    );
    const stored = await store.getAlert(ORG, `dependabot#${ORG}/app#1`);
    expect({ outcome, state: stored?.alert.state }).toEqual({ outcome: outcomeWanted, state: stateWanted });
  },
);

/**
 * The upstream accounts pipeline: it, not this app, creates Contacts in Salesforce. A scheduled
 * user's Contact appears in the org, then (after Connect's read lag) in its mirror table
 * with its sfid and `_hc_lastop = 'SYNCED'`, written as Connect so it is not logged. A user
 * never scheduled, or marked `never`, never gets one.
 */
import { identifierQuote } from '../db/sql-names.ts';
import { mirrorTableQuoted } from '../mirror/mirror-table-name.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { objectPushedColumns } from './push-plan.ts';
import { orgRecordFind, orgRecordUpsert, type Queryable } from './org-records.ts';

/** When one user's Contact arrives, in simulated seconds (multiplied by the time scale). */
export interface ContactSchedule {
  /** Seconds from scheduling until the Contact is in the mirror. */
  lagSeconds: number;
  /** Seconds from scheduling until it is in the org (Salesforce); at most `lagSeconds`. Default 0. */
  orgLagSeconds?: number;
  /** Contact fields by mirror column (`firstname`, `email`); a name and email are made up otherwise. */
  fields?: Record<string, string | boolean | null>;
}

interface PendingContact {
  userId: string;
  orgAt: number;
  mirrorAt: number;
  fields: Record<string, unknown>;
  inOrg: boolean;
}

/** Schedules Contacts per user and delivers them when due. */
export class ContactPipeline {
  readonly #pending = new Map<string, PendingContact>();
  readonly #now: () => number;
  readonly #timeScale: number;
  readonly #objects: MirrorObjectSet;
  readonly #declared: AnyMirrorObject | undefined;
  readonly #onSchedule: () => void;

  /** `now` in milliseconds; `onSchedule` is told when a new delivery may need a wake-up. */
  constructor(objects: MirrorObjectSet, options: { now: () => number; timeScale: number; onSchedule?: () => void }) {
    this.#objects = objects;
    this.#declared = objects.named('Contact');
    this.#now = options.now;
    this.#timeScale = options.timeScale;
    this.#onSchedule = options.onSchedule ?? (() => undefined);
  }

  get #object(): AnyMirrorObject {
    if (!this.#declared) throw new Error('Contact is not one of the declared mirror objects, so no Contact can arrive upstream');
    return this.#declared;
  }

  /** The Contact of `userId` (its Pi_Accounts_Unique_ID__c) arrives after `lagSeconds`. */
  schedule(userId: string, schedule: ContactSchedule): void {
    const now = this.#now();
    const seconds = (value: number) => value * 1000 * this.#timeScale;
    const mirrorAt = now + seconds(schedule.lagSeconds);
    const orgAt = Math.min(now + seconds(schedule.orgLagSeconds ?? 0), mirrorAt);
    const fields = {
      firstname: 'Test',
      lastname: `User ${userId.slice(0, 8)}`,
      email: `${userId}@example.invalid`,
      ...schedule.fields,
      [this.#object.externalId]: userId,
    };
    this.#pending.set(userId, { userId, orgAt, mirrorAt, fields, inOrg: false });
    this.#onSchedule();
  }

  /** The Contact of `userId` never arrives (a scheduled one is cancelled if not yet delivered). */
  never(userId: string): void {
    this.#pending.delete(userId);
  }

  /** When the next delivery is due (milliseconds), or undefined when none waits. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const contact of this.#pending.values()) {
      const at = contact.inOrg ? contact.mirrorAt : contact.orgAt;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** Delivers every Contact now due to the org and to the mirror; returns how many reached the mirror. */
  async deliverDue(client: Queryable): Promise<number> {
    const now = this.#now();
    let delivered = 0;
    for (const contact of [...this.#pending.values()]) {
      if (!contact.inOrg && contact.orgAt <= now) {
        const existing = await orgRecordFind(client, this.#object.name, { externalId: contact.userId });
        await orgRecordUpsert(client, this.#object, contact.fields, existing);
        contact.inOrg = true;
      }
      if (contact.inOrg && contact.mirrorAt <= now) {
        await this.#mirrorWrite(client, contact);
        this.#pending.delete(contact.userId);
        delivered += 1;
      }
    }
    return delivered;
  }

  async #mirrorWrite(client: Queryable, contact: PendingContact): Promise<void> {
    const record = await orgRecordFind(client, this.#object.name, { externalId: contact.userId });
    if (!record) return;
    const columns = objectPushedColumns(this.#objects, this.#object).filter((column) => column in record.fields);
    const table = mirrorTableQuoted(this.#object);
    const names = ['sfid', '_hc_lastop', 'systemmodstamp', 'createddate', ...columns].map(identifierQuote);
    const values = [record.id, 'SYNCED', ...columns.map((column) => record.fields[column] ?? null)];
    const placeholders = ['$1', '$2', "now() AT TIME ZONE 'UTC'", "now() AT TIME ZONE 'UTC'", ...columns.map((_, index) => `$${index + 3}`)];
    const updates = names.filter((name) => name !== '"createddate"').map((name) => `${name} = EXCLUDED.${name}`);
    await client.query(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES (${placeholders.join(', ')})
       ON CONFLICT (${identifierQuote(this.#object.externalId)}) DO UPDATE SET ${updates.join(', ')}`,
      values,
    );
  }
}

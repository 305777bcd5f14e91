/**
 * Role operations. A staff role (owner, teacher) syncs as a Contact_Editor_Affiliation__c; a
 * student role is not synced, so none is enqueued for it.
 */
import { eq, sql } from 'drizzle-orm';
import { roles } from '../app-schema.ts';
import { contactEditorAffiliation } from '../objects/contact-editor-affiliation.ts';
import type { AppContext } from './app-context.ts';
import { RecordNotFoundError } from '../../sync/sync-errors.ts';

export type Role = typeof roles.$inferSelect;
export type RoleNew = Omit<typeof roles.$inferInsert, 'id'>;

export async function roleCreate({ db, sync }: AppContext, input: RoleNew): Promise<Role> {
  return db.transaction(async (tx) => {
    const [role] = await tx.insert(roles).values(input).returning();
    if (!role) throw new Error('role insert returned no row');
    if (role.role !== 'student') await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
    return role;
  });
}

/** Changes a role (e.g. teacher to owner); a staff role syncs its affiliation. */
export async function roleUpdate({ db, sync }: AppContext, roleId: number, changes: Partial<Pick<RoleNew, 'role' | 'archivedAt'>>): Promise<Role> {
  return db.transaction(async (tx) => {
    const [role] = await tx
      .update(roles)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(roles.id, roleId))
      .returning();
    if (!role) throw new RecordNotFoundError(`Role ${roleId} does not exist`);
    if (role.role !== 'student') await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
    return role;
  });
}

/** Archives a role; a staff role syncs as offboarded. */
export async function roleArchive({ db, sync }: AppContext, roleId: number): Promise<Role> {
  return db.transaction(async (tx) => {
    const [role] = await tx
      .update(roles)
      .set({ archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(roles.id, roleId))
      .returning();
    if (!role) throw new RecordNotFoundError(`Role ${roleId} does not exist`);
    if (role.role !== 'student') await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
    return role;
  });
}

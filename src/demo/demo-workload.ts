/**
 * The demo's workload, modelled on the seed's evidence: schools created with their owner,
 * teachers and students in one transaction; some schools rejected (no staff, by design); most
 * staff already have a Contact, some get theirs late from the upstream pipeline, a few never.
 * Made from a seed, so a run can be repeated.
 */
export type ContactFate = { kind: 'present' } | { kind: 'late'; lagSeconds: number } | { kind: 'never' };

export interface DemoSchool {
  name: string;
  creatorId: string;
  rejected: boolean;
  staff: { userId: string; role: 'owner' | 'teacher' }[];
  students: string[];
}

export interface DemoWorkload {
  schools: DemoSchool[];
  /** The Contact fate of every user who needs one (creators and staff). */
  contacts: Map<string, ContactFate>;
}

/** Shares of the workload, from the seed's production evidence, made visible at demo size. */
const shares = { rejected: 0.15, contactLate: 0.2, contactNever: 0.06 };
/** Late Contacts arrive within the retry window (4.3 h): between 5 and 60 minutes late. */
const lateSeconds = { min: 5 * 60, max: 60 * 60 };

export function demoWorkloadPlan(schoolCount: number, seed: number): DemoWorkload {
  const random = seededRandom(seed);
  const uuid = () => uuidFrom(random);
  const contacts = new Map<string, ContactFate>();
  const fate = (): ContactFate => {
    const roll = random();
    if (roll < shares.contactNever) return { kind: 'never' };
    if (roll < shares.contactNever + shares.contactLate) {
      return { kind: 'late', lagSeconds: lateSeconds.min + random() * (lateSeconds.max - lateSeconds.min) };
    }
    return { kind: 'present' };
  };
  const schools = Array.from({ length: schoolCount }, (_, index): DemoSchool => {
    const creatorId = uuid();
    const rejected = random() < shares.rejected;
    const staff: DemoSchool['staff'] = rejected ? [] : [{ userId: creatorId, role: 'owner' }];
    if (!rejected) for (let t = Math.floor(random() * 3); t > 0; t--) staff.push({ userId: uuid(), role: 'teacher' });
    const students = rejected ? [] : Array.from({ length: 1 + Math.floor(random() * 3) }, () => uuid());
    contacts.set(creatorId, rejected ? { kind: 'present' } : fate());
    for (const member of staff) if (!contacts.has(member.userId)) contacts.set(member.userId, fate());
    return { name: `${schoolNames[index % schoolNames.length]} ${index + 1}`, creatorId, rejected, staff, students };
  });
  return { schools, contacts };
}

const schoolNames = ['Gurnard Primary', 'Thornton Academy', 'Ryde High', 'Carisbrooke College', 'Bembridge School', 'Shanklin Juniors'];

// mulberry32: small, fast and good enough to make a workload repeatable.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The editor preset's app tables: `npm run db:generate` writes their migrations to migrations/editor.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/editor/app-schema.ts',
  out: './migrations/editor',
  schemaFilter: ['public'],
});

// The app's own tables: `npm run db:generate` writes their migrations to migrations/app.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/app-schema.ts',
  out: './migrations/app',
  schemaFilter: ['public'],
});

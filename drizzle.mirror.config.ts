// The Heroku Connect mirror tables, for development and tests only: migrations/mirror.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/mirror/tables.ts',
  out: './migrations/mirror',
  schemaFilter: ['salesforce'],
});

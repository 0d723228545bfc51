// SQLite's migrations; drizzle.pg.config.ts has PostgreSQL's. `npm run db:generate` runs both.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/tables/sqlite.ts',
  out: './drizzle/sqlite',
})

-- Elson SDK, sqlite, migration 10: row-level security and the application role.
-- Nothing to do on SQLite: it is an embedded database used by one
-- application, with no roles, no logins and no row-level security. Access
-- control is the store's (elson_core `authorize` before every call, the
-- audit_log rows written in the same transaction); the file's access rights
-- are the operating system's.
SELECT 1;

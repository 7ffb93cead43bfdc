-- Elson SDK, postgres, migration 9: passwords, two-factor and encrypted PII columns.
-- Placeholder (issue 5): filled in by the change that implements it.
SELECT 1;

-- The JSON column follows the declared show schema (bot/domain/show_schema.py): the catalogue key is "key", as in
-- the catalogue file, no longer "catalog_key".
UPDATE shows SET data = json_remove(
    CASE WHEN json_extract(data, '$.catalog_key') IS NULL THEN data
         ELSE json_set(data, '$.key', json_extract(data, '$.catalog_key')) END,
    '$.catalog_key'
);

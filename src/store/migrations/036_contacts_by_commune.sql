-- 036: tracing contacts lose their district and province indexes.  A trace writes a few
-- hundred contacts living in as many communes, and each of the contact's indexes took a page
-- written at a random place per contact; the three area indexes were three of its five.  A
-- district's or a province's work list reads its communes through tracing_contacts_commune
-- (store_sql_area_by_commune); the situation counts contacts as they are written.
DROP INDEX tracing_contacts_district;
DROP INDEX tracing_contacts_province;

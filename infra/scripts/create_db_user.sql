-- Creates the Function App's user-assigned managed identity as a contained database user (Entra, no password)
-- with read/write rights on every table. Run as the server's Entra admin; idempotent (safe to run on every deploy).
-- sqlcmd variables: IDENTITY_NAME (the identity's name) and IDENTITY_CLIENT_ID (its client id).
-- The user is created WITH SID from the client id, so the server needs no Microsoft Graph permission to look it up.
-- Runs with: infra/scripts/run_sql.py (postdeploy.sh does), or
--   sqlcmd -S <server>.database.windows.net -d crm -G -i create_db_user.sql -v IDENTITY_NAME=… IDENTITY_CLIENT_ID=…
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'$(IDENTITY_NAME)')
BEGIN
    DECLARE @sid varbinary(16) = CAST(CAST(N'$(IDENTITY_CLIENT_ID)' AS uniqueidentifier) AS varbinary(16));
    DECLARE @create nvarchar(max) = N'CREATE USER ' + QUOTENAME(N'$(IDENTITY_NAME)')
        + N' WITH SID = ' + CONVERT(nvarchar(64), @sid, 1) + N', TYPE = E;';
    EXEC sp_executesql @create;
END;
GO
IF IS_ROLEMEMBER(N'db_datareader', N'$(IDENTITY_NAME)') = 0
    EXEC sp_executesql N'ALTER ROLE db_datareader ADD MEMBER [$(IDENTITY_NAME)];';
IF IS_ROLEMEMBER(N'db_datawriter', N'$(IDENTITY_NAME)') = 0
    EXEC sp_executesql N'ALTER ROLE db_datawriter ADD MEMBER [$(IDENTITY_NAME)];';
GO

// Azure SQL: a logical server with Entra-only authentication (no SQL logins, no passwords) and TLS 1.2,
// and one serverless General Purpose database. The Entra admin is a group (preferred) or the deploying user;
// the app's managed identity gets a contained database user from infra/scripts/create_db_user.sql.
param serverName string
param databaseName string
param location string = resourceGroup().location
param tags object = {}

@description('Object id of the Entra principal (group, user or service principal) that administers the server.')
param adminObjectId string
@description('Display name of that principal (shown in the portal; used as its login).')
param adminLogin string
@allowed([
  'Group'
  'User'
  'Application'
])
param adminPrincipalType string = 'Group'

@description('Serverless SKU, e.g. GP_S_Gen5_2 (General Purpose, serverless, Gen5, max 2 vCores).')
param skuName string = 'GP_S_Gen5_2'
@description('Minimum vCores billed while the database is online.')
param minCapacity string = '0.5'
@description('Minutes idle before auto-pause; -1 disables auto-pause (the every-minute outbox sweep keeps it awake anyway).')
param autoPauseDelay int = -1
param maxSizeBytes int = 34359738368
@description('Spread the database over availability zones (billed extra for serverless General Purpose; not offered in every region).')
param zoneRedundant bool = false

@description('Public IPv4 address allowed through the firewall (the machine that runs the post-deploy script); empty for none.')
param clientIpAddress string = ''
@description('Address that receives Defender for SQL threat alerts.')
param alertEmailAddress string
@description('Log Analytics workspace that receives the audit log.')
param logAnalyticsWorkspaceId string

resource sqlServer 'Microsoft.Sql/servers@2023-08-01-preview' = {
  name: serverName
  location: location
  tags: tags
  properties: {
    // checkov:skip=CKV_AZURE_24:checkov's ARM check reads a nested `resources` list that its Bicep parser never fills; retention is set on serverAuditing below (retentionDays 90)
    // checkov:skip=CKV_AZURE_113:No VNet/private endpoint in this template: the Flex Consumption app connects over the public endpoint, limited to Azure services by the firewall and to Entra tokens by azureADOnlyAuthentication
    version: '12.0'
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    restrictOutboundNetworkAccess: 'Disabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      login: adminLogin
      sid: adminObjectId
      principalType: adminPrincipalType
      tenantId: subscription().tenantId
    }
  }
}

// 0.0.0.0–0.0.0.0 is Azure's marker for "Azure services" (the Function App's outbound addresses), not the internet.
resource allowAzureServices 'Microsoft.Sql/servers/firewallRules@2023-08-01-preview' = {
  parent: sqlServer
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// Security-relevant events only: BATCH_COMPLETED_GROUP (the default) would log every query the bot runs.
resource serverAuditing 'Microsoft.Sql/servers/auditingSettings@2023-08-01-preview' = {
  parent: sqlServer
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    retentionDays: 90
    auditActionsAndGroups: [
      'SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP'
      'FAILED_DATABASE_AUTHENTICATION_GROUP'
      'DATABASE_PRINCIPAL_CHANGE_GROUP'
      'DATABASE_ROLE_MEMBER_CHANGE_GROUP'
      'SCHEMA_OBJECT_CHANGE_GROUP'
    ]
  }
  dependsOn: [
    auditDiagnostics
  ]
}

resource clientFirewallRule 'Microsoft.Sql/servers/firewallRules@2023-08-01-preview' = if (!empty(clientIpAddress)) {
  parent: sqlServer
  name: 'deployer-client'
  properties: {
    startIpAddress: clientIpAddress
    endIpAddress: clientIpAddress
  }
}

resource database 'Microsoft.Sql/servers/databases@2023-08-01-preview' = {
  parent: sqlServer
  name: databaseName
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: 'GeneralPurpose'
  }
  properties: {
    // checkov:skip=CKV_AZURE_25:checkov's ARM check reads a nested `resources` list that its Bicep parser never fills; threatDetection below enables every alert type (disabledAlerts empty)
    // checkov:skip=CKV_AZURE_26:Same parser limitation; threatDetection below mails alertEmailAddress
    // checkov:skip=CKV_AZURE_27:Same parser limitation; threatDetection below sets emailAccountAdmins true
    // checkov:skip=CKV_AZURE_229:Zone redundancy is opt-in (zoneRedundant parameter, sqlZoneRedundant in main.bicep): it is billed extra for serverless General Purpose and not offered in every region; backups are geo-redundant either way
    collation: 'SQL_Latin1_General_CP1_CI_AS'
    maxSizeBytes: maxSizeBytes
    minCapacity: json(minCapacity)
    autoPauseDelay: autoPauseDelay
    zoneRedundant: zoneRedundant
    requestedBackupStorageRedundancy: 'Geo'
  }
}

// Defender for SQL threat detection on the server (covers every database, including master): every alert type,
// mailed to the alert address and admins.
resource serverThreatDetection 'Microsoft.Sql/servers/securityAlertPolicies@2023-08-01-preview' = {
  parent: sqlServer
  name: 'Default'
  properties: {
    state: 'Enabled'
    disabledAlerts: []
    emailAddresses: [
      alertEmailAddress
    ]
    emailAccountAdmins: true
    retentionDays: 90
  }
  dependsOn: [
    serverAuditing
  ]
}

// The same policy at database level: the server policy already covers the database; this one keeps it alerting
// if the server policy is ever switched off.
resource threatDetection 'Microsoft.Sql/servers/databases/securityAlertPolicies@2023-08-01-preview' = {
  parent: database
  name: 'Default'
  properties: {
    state: 'Enabled'
    disabledAlerts: []
    emailAddresses: [
      alertEmailAddress
    ]
    emailAccountAdmins: true
    retentionDays: 90
  }
  dependsOn: [
    serverThreatDetection
  ]
}

resource databaseAuditing 'Microsoft.Sql/servers/databases/auditingSettings@2023-08-01-preview' = {
  parent: database
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    retentionDays: 90
  }
}

// Server audit records go to Log Analytics through the master database's diagnostic setting (the documented
// provider-path form, so no `existing` reference to the system database is needed).
resource auditDiagnostics 'Microsoft.Sql/servers/databases/providers/diagnosticSettings@2021-05-01-preview' = {
  name: '${sqlServer.name}/master/microsoft.insights/sql-audit'
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'SQLSecurityAuditEvents'
        enabled: true
      }
    ]
  }
  dependsOn: [
    sqlServer
  ]
}

output serverName string = sqlServer.name
output serverFqdn string = sqlServer.properties.fullyQualifiedDomainName
output databaseName string = database.name

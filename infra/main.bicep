// The WhatsApp sales CRM on Azure: one Function App (Flex Consumption, Python 3.11) and what it needs, with
// managed identity for every data-plane call and the three secrets in Key Vault. Deployed by `azd up`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Primary region for all resources.')
param location string

@description('Resource group name; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the person or pipeline running azd (AZURE_PRINCIPAL_ID): Key Vault secrets officer, SQL admin unless a group is given.')
param principalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Object id of an Entra group that administers Azure SQL (recommended); empty to make the deploying principal the admin.')
param sqlAdminGroupObjectId string = ''
@description('Display name of that group.')
param sqlAdminGroupName string = ''
@description('Public IPv4 of the machine that runs the post-deploy database script (SQL firewall); empty for none.')
param clientIpAddress string = ''

@description('Mailbox for alerts (poison queue, dead outbox rows, SQL threat detection).')
param alertEmailAddress string

@description('Serverless SQL SKU (GP_S_Gen5_<max vCores>).')
param sqlSkuName string = 'GP_S_Gen5_2'
@description('Minimum vCores (billed while online).')
param sqlMinCapacity string = '0.5'
@description('Auto-pause delay in minutes, -1 to never pause (the minute-by-minute outbox sweep keeps the database awake anyway).')
param sqlAutoPauseDelay int = -1
@description('Zone-redundant SQL database (billed extra for serverless General Purpose; only in regions that offer it).')
param sqlZoneRedundant bool = false

@description('Region of the Azure OpenAI account (gpt-4o must be offered there); empty for the primary region.')
param openAiLocation string = ''
param openAiModelVersion string = '2024-11-20'
@allowed([
  'GlobalStandard'
  'Standard'
  'DataZoneStandard'
])
param openAiDeploymentSku string = 'GlobalStandard'
@description('gpt-4o capacity in thousands of tokens per minute.')
param openAiCapacity int = 30
@description('Voice notes: the speech-to-text deployment (gpt-4o-transcribe) next to gpt-4o; false deploys none and voice notes get the "not set up" reply.')
param transcribeEnabled bool = true
param transcribeModelVersion string = '2025-03-20'
@description('gpt-4o-transcribe capacity in thousands of tokens per minute.')
param transcribeCapacity int = 10

@minValue(1)
@maxValue(1000)
@description('Flex Consumption instance cap: with the host.json queue batch it bounds the concurrent SQL sessions.')
param maximumInstanceCount int = 40
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Storage replication: geo-redundant by default (GZRS adds zone redundancy where the region offers it).')
@allowed([
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_GRS'

@secure()
@minLength(8)
@description('Maytapi API token (x-maytapi-key); stored in Key Vault as mayt-api-token.')
param maytApiToken string
@secure()
@minLength(32)
@description('Secret the Maytapi webhook URL carries (?secret=); stored in Key Vault as webhook-secret.')
param webhookSecret string
@secure()
@minLength(32)
@description('Key that signs the frontend\'s bearer tokens; stored in Key Vault as auth-secret.')
param authSecret string
@minLength(1)
param maytapiProductId string
@minLength(1)
param maytapiPhoneId string

param inboundQueueName string = 'inbound'
param teamTimezone string = 'Asia/Kolkata'
param defaultRegion string = 'IN'
@description('Comma-separated frontend origins allowed by CORS, besides the web dashboard\'s own (added always).')
param corsOrigins string = ''
@description('Region of the web dashboard\'s Static Web App (few regions offer it; pages are served from the global edge).')
@allowed([
  'eastasia'
  'centralus'
  'eastus2'
  'westeurope'
  'westus2'
])
param webLocation string = 'eastasia'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var useSqlGroup = !empty(sqlAdminGroupObjectId)

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  cognitiveServicesOpenAIUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    roleAssignments: [
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.monitoringMetricsPublisher
      }
    ]
  }
}

var deployerStorageRoles = empty(principalId) ? [] : [
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roles.storageQueueDataContributor
  }
]

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    storageSkuName: storageSkuName
    containers: [
      deploymentContainerName
    ]
    queues: [
      inboundQueueName
      '${inboundQueueName}-poison'
      '${inboundQueueName}-poison-poison'
    ]
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    roleAssignments: concat([
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.storageBlobDataOwner
      }
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.storageQueueDataContributor
      }
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.storageQueueDataMessageProcessor
      }
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.storageTableDataContributor
      }
    ], deployerStorageRoles)
  }
}

var deployerVaultRoles = empty(principalId) ? [] : [
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roles.keyVaultSecretsOfficer
  }
]

module keyVault 'core/security/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    secrets: {
      items: [
        {
          name: 'mayt-api-token'
          value: maytApiToken
        }
        {
          name: 'webhook-secret'
          value: webhookSecret
        }
        {
          name: 'auth-secret'
          value: authSecret
        }
      ]
    }
    roleAssignments: concat([
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.keyVaultSecretsUser
      }
    ], deployerVaultRoles)
  }
}

var deployerOpenAiRoles = empty(principalId) ? [] : [
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roles.cognitiveServicesOpenAIUser
  }
]

module openAi 'core/ai/openai.bicep' = {
  name: 'openai'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesOpenAI}${resourceToken}'
    location: !empty(openAiLocation) ? openAiLocation : location
    tags: tags
    deploymentName: 'gpt-4o'
    modelName: 'gpt-4o'
    modelVersion: openAiModelVersion
    deploymentSkuName: openAiDeploymentSku
    capacity: openAiCapacity
    transcribeDeploymentName: transcribeEnabled ? 'gpt-4o-transcribe' : ''
    transcribeModelVersion: transcribeModelVersion
    transcribeSkuName: openAiDeploymentSku
    transcribeCapacity: transcribeCapacity
    roleAssignments: concat([
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionId: roles.cognitiveServicesOpenAIUser
      }
    ], deployerOpenAiRoles)
  }
}

module sql 'core/database/sql-server.bicep' = {
  name: 'sql'
  scope: rg
  params: {
    serverName: '${abbrs.sqlServers}${resourceToken}'
    databaseName: 'crm'
    location: location
    tags: tags
    adminObjectId: useSqlGroup ? sqlAdminGroupObjectId : principalId
    adminLogin: useSqlGroup ? sqlAdminGroupName : 'azd-deployer-${environmentName}'
    adminPrincipalType: useSqlGroup ? 'Group' : (principalType == 'User' ? 'User' : 'Application')
    skuName: sqlSkuName
    minCapacity: sqlMinCapacity
    autoPauseDelay: sqlAutoPauseDelay
    zoneRedundant: sqlZoneRedundant
    clientIpAddress: clientIpAddress
    alertEmailAddress: alertEmailAddress
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

// The web dashboard (web/dist) on Static Web Apps; its origin is allowed by the API's CORS setting below.
module web 'app/web.bicep' = {
  name: 'web'
  scope: rg
  params: {
    name: '${abbrs.webStaticSites}${resourceToken}'
    location: webLocation
    tags: tags
  }
}
var allowedOrigins = empty(corsOrigins) ? web.outputs.uri : '${web.outputs.uri},${corsOrigins}'

// Versionless secret URIs: the app always reads the current version (see "Rotating secrets" in the deploy docs).
var secretRef = '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets'
// The ODBC connection string is passed whole (odbc_connect), so SQLAlchemy adds no Trusted_Connection/UID/PWD:
// the access token crm_core.db.engine injects must be the only credential msodbcsql sees.
var databaseUrl = 'mssql+pyodbc:///?odbc_connect=Driver%3D%7BODBC+Driver+18+for+SQL+Server%7D%3BServer%3Dtcp%3A${sql.outputs.serverFqdn}%2C1433%3BDatabase%3D${sql.outputs.databaseName}%3BEncrypt%3Dyes%3BTrustServerCertificate%3Dno%3BConnection+Timeout%3D60'

module functionApp 'core/host/flex-function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    planName: '${abbrs.webServerFarms}${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    appTags: {
      'azd-service-name': 'api'
    }
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: {
      // Host storage through the managed identity: no connection string, no account key.
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.primaryEndpoints.table
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      // DefaultAzureCredential (SQL and OpenAI tokens) picks the user-assigned identity from this.
      AZURE_CLIENT_ID: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      DATABASE_URL: databaseUrl
      DATABASE_AUTO_MIGRATE: 'false'
      AZURE_OPENAI_ENDPOINT: openAi.outputs.endpoint
      AZURE_OPENAI_DEPLOYMENT: openAi.outputs.deploymentName
      AZURE_OPENAI_API_VERSION: '2024-10-21'
      OPENAI_MODEL: 'gpt-4o'
      // Voice notes and visiting cards (crm_core.media): the transcription deployment, the hosts media is fetched
      // from, and the size cap (WhatsApp's own limit for voice notes and images).
      TRANSCRIBE_MODEL: transcribeEnabled ? openAi.outputs.transcribeDeploymentName : ''
      AZURE_OPENAI_TRANSCRIBE_API_VERSION: '2025-04-01-preview'
      MEDIA_URL_HOSTS: 'cdnydm.com,*.cdnydm.com,*.maytapi.com'
      MEDIA_MAX_BYTES: '16777216'
      PARSER_CONFIDENCE_THRESHOLD: '0.75'
      CHANNEL: 'maytapi'
      MAYT_API_URL: 'https://api.maytapi.com/api/${maytapiProductId}/${maytapiPhoneId}/sendMessage'
      MAYT_API_TOKEN: '${secretRef}/mayt-api-token/)'
      MAYTAPI_PRODUCT_ID: maytapiProductId
      MAYTAPI_PHONE_ID: maytapiPhoneId
      ALLOW_GROUP_CHATS: 'false'
      WEBHOOK_SECRET: '${secretRef}/webhook-secret/)'
      AUTH_SECRET: '${secretRef}/auth-secret/)'
      CORS_ORIGINS: allowedOrigins
      INBOUND_QUEUE: inboundQueueName
      QUEUE_BACKEND: 'azure'
      TEAM_TIMEZONE: teamTimezone
      DEFAULT_REGION: defaultRegion
      SWEEP_SCHEDULE: '0 */1 * * * *'
      OUTBOX_MAX_ATTEMPTS: '6'
      QUIET_HOURS_START: '21:00'
      QUIET_HOURS_END: '09:00'
      DIGEST_ENABLED: 'true'
      DIGEST_TIME: '09:00'
    }
  }
  dependsOn: [
    keyVault
    storage
  ]
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: '${abbrs.insightsScheduledQueryRules}${resourceToken}'
    location: location
    tags: tags
    alertEmailAddress: alertEmailAddress
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    inboundQueueName: inboundQueueName
  }
}

// Outputs become azd environment values: the post-deploy hook reads them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output SERVICE_WEB_NAME string = web.outputs.name
output SERVICE_WEB_URI string = web.outputs.uri
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_SQL_SERVER_NAME string = sql.outputs.serverName
output AZURE_SQL_SERVER_FQDN string = sql.outputs.serverFqdn
output AZURE_SQL_DATABASE_NAME string = sql.outputs.databaseName
output AZURE_OPENAI_ENDPOINT string = openAi.outputs.endpoint
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output INBOUND_QUEUE string = inboundQueueName
output MAYTAPI_PRODUCT_ID string = maytapiProductId

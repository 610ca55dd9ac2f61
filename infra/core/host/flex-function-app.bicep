// A Function App on the Flex Consumption plan (FC1), Linux, Python 3.11, running as a user-assigned identity.
// The deployment package sits in a blob container read with that identity; Key Vault references resolve with it.
param planName string
param appName string
param location string = resourceGroup().location
param tags object = {}
@description('Tags for the app only (azd finds the service to deploy by azd-service-name).')
param appTags object = {}

param identityId string
param identityClientId string
@description('Blob container URL of the deployment package, e.g. https://st….blob.core.windows.net/app-package-….')
param deploymentContainerUrl string
param runtimeName string = 'python'
param runtimeVersion string = '3.11'
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@description('App settings as an object of name: value.')
param appSettings object

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION
// must not appear in the app settings (the platform rejects them).
var settingsList = [for item in items(appSettings): {
  name: item.key
  value: item.value
}]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    // checkov:skip=CKV_AZURE_225:Zone redundancy on Flex Consumption keeps at least two always-ready instances billed around the clock (no scale to zero) and is offered in few regions; queued messages wait and retry through a zone outage, so it stays an opt-in hardening step (docs/readme/deploy.md)
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, appTags)
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    // checkov:skip=CKV_AZURE_17:Maytapi's webhook calls cannot present a client certificate; /api/webhook checks WEBHOOK_SECRET and the API checks bearer tokens
    // checkov:skip=CKV_AZURE_222:Maytapi calls /api/webhook from the internet, so public network access must stay on; HTTPS only, TLS 1.2, the webhook checks WEBHOOK_SECRET and the API checks bearer tokens
    // checkov:skip=CKV_AZURE_212:Flex Consumption has no siteConfig.numberOfWorkers: the platform adds instances per queue and HTTP load up to maximumInstanceCount and replaces failed ones; a failed message is retried from the queue
    // checkov:skip=CKV_AZURE_213:App Service health check evicts instances from a fixed pool; Flex Consumption has no such pool (instances come and go with load), and failures surface through the poison-queue and dead-outbox alerts
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: settingsList
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }
}

// Basic-auth publishing (FTP and SCM) off: deployments go through Entra (azd uses the one-deploy API).
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output identityClientId string = identityClientId

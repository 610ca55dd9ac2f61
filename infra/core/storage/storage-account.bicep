// Storage for the Functions host (its blobs and timer leases), the deployment package container and the
// inbound queues. Shared-key access is off: only Entra identities with data-plane roles get in.
param name string
param location string = resourceGroup().location
param tags object = {}
// Named storageSkuName, not skuName: checkov resolves a parameter by its name across all files (sql-server.bicep has a skuName).
@description('Replication, always geo-redundant: GRS (default) keeps an asynchronous copy of the queues and the deployment package in the paired region; GZRS adds zone redundancy where the region offers it.')
@allowed([
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_GRS'
@description('Blob containers to create (the Flex Consumption deployment package lives in one).')
param containers array = []
@description('Queues to create (the inbound queue, its poison queue, and the poison queue of the poison handler).')
param queues array = []
@description('Log Analytics workspace that receives the queue service logs (the poison-queue alert reads them).')
param logAnalyticsWorkspaceId string

@description('Data-plane roles on this resource: [{ principalId, principalType, roleDefinitionId }].')
param roleAssignments array = []

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:No VNet in this template, so the Flex Consumption app reaches storage over its public endpoint; shared keys are off and only Entra identities with RBAC roles get in
  // checkov:skip=CKV_AZURE_59:Public endpoint needed without a VNet (see CKV_AZURE_35); access is identity-only because allowSharedKeyAccess is false
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: storageSkuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    isLocalUserEnabled: false
    isSftpEnabled: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        file: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in containers: {
  parent: blobService
  name: container
  properties: {
    publicAccess: 'None'
  }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queue in queues: {
  parent: queueService
  name: queue
}]

// Queue read/write/delete logs: the poison-queue alert counts PutMessage calls on the poison queues from here.
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'queue-logs'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for ra in roleAssignments: {
  name: guid(storage.id, ra.principalId, ra.roleDefinitionId)
  scope: storage
  properties: {
    principalId: ra.principalId
    principalType: ra.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
  }
}]

output id string = storage.id
output name string = storage.name
output primaryEndpoints object = storage.properties.primaryEndpoints
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue

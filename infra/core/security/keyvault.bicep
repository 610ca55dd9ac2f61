// Key Vault (RBAC authorization, soft delete + purge protection) holding the app's three secrets.
// Secret names use dashes (Key Vault allows no underscores); app settings reference them by SecretUri.
param name string
param location string = resourceGroup().location
param tags object = {}
@description('Secrets to store, as { items: [ { name, value }, … ] }; the values come from secure parameters.')
@secure()
param secrets object

@description('Data-plane roles on this resource: [{ principalId, principalType, roleDefinitionId }].')
param roleAssignments array = []

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // checkov:skip=CKV_AZURE_109:No VNet in this template: the Function App resolves Key Vault references over the public endpoint; access is RBAC-only (no access policies) and audited
    // checkov:skip=CKV_AZURE_189:Public network access stays on without a VNet: Flex Consumption has no fixed outbound IPs to allow-list, so an IP rule or a disabled endpoint would stop the app resolving its Key Vault references; RBAC-only, no access policies
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in secrets.items: {
  parent: vault
  name: secret.name
  properties: {
    // checkov:skip=CKV_AZURE_41:An expiry date would silently stop the bot (an expired secret cannot be read by the Key Vault reference); rotation is manual and documented in docs/readme/deploy.md
    value: secret.value
    contentType: 'text/plain'
    attributes: {
      enabled: true
    }
  }
}]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for ra in roleAssignments: {
  name: guid(vault.id, ra.principalId, ra.roleDefinitionId)
  scope: vault
  properties: {
    principalId: ra.principalId
    principalType: ra.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
  }
}]

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri

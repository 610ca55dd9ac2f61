// Azure OpenAI with a gpt-4o deployment (the parser, and visiting cards read from photos) and a speech-to-text
// deployment (voice notes). Local (API-key) auth is disabled: the app calls both with its managed identity (role
// Cognitive Services OpenAI User on the account, so no new role for the second deployment), which needs the custom
// subdomain endpoint.
param name string
param location string = resourceGroup().location
param tags object = {}
param deploymentName string = 'gpt-4o'
param modelName string = 'gpt-4o'
param modelVersion string = '2024-11-20'
@description('Deployment type: GlobalStandard (highest default quota) or Standard (data stays in the region).')
param deploymentSkuName string = 'GlobalStandard'
@description('Capacity in thousands of tokens per minute (TPM); the subscription quota caps it.')
param capacity int = 30

@description('Speech-to-text deployment for voice notes (the app\'s TRANSCRIBE_MODEL); empty deploys none.')
param transcribeDeploymentName string = 'gpt-4o-transcribe'
param transcribeModelName string = 'gpt-4o-transcribe'
@description('Check what the region offers: az cognitiveservices model list -l <region> --query "[?model.name==\'gpt-4o-transcribe\']".')
param transcribeModelVersion string = '2025-03-20'
param transcribeSkuName string = 'GlobalStandard'
@description('Transcription capacity in thousands of tokens per minute (a voice note of a minute is roughly 1.5k audio tokens).')
param transcribeCapacity int = 10

@description('Data-plane roles on this resource: [{ principalId, principalType, roleDefinitionId }].')
param roleAssignments array = []

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  // A system-assigned identity for the account's own outbound calls (e.g. customer-managed keys); the app still
  // authenticates to it with its user-assigned identity.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // checkov:skip=CKV_AZURE_134:No VNet in this template: the Flex Consumption app calls Azure OpenAI over its public endpoint; local auth is disabled, so only Entra tokens with the OpenAI User role are accepted
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: deploymentName
  sku: {
    name: deploymentSkuName
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
    versionUpgradeOption: 'OnceNewDefaultVersionAvailable'
  }
}

// Deployments of one account are created one after the other: ARM refuses a second while the first is in progress.
resource transcribe 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = if (!empty(transcribeDeploymentName)) {
  parent: account
  name: empty(transcribeDeploymentName) ? 'none' : transcribeDeploymentName
  dependsOn: [
    deployment
  ]
  sku: {
    name: transcribeSkuName
    capacity: transcribeCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: transcribeModelName
      version: transcribeModelVersion
    }
    versionUpgradeOption: 'OnceNewDefaultVersionAvailable'
  }
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for ra in roleAssignments: {
  name: guid(account.id, ra.principalId, ra.roleDefinitionId)
  scope: account
  properties: {
    principalId: ra.principalId
    principalType: ra.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
  }
}]

output id string = account.id
output name string = account.name
output endpoint string = account.properties.endpoint
output deploymentName string = deployment.name
output transcribeDeploymentName string = transcribeDeploymentName

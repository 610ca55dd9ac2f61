// Log Analytics + workspace-based Application Insights with local (instrumentation-key) auth off:
// the app sends telemetry with its managed identity (role Monitoring Metrics Publisher).
param logAnalyticsName string
param applicationInsightsName string
param location string = resourceGroup().location
param tags object = {}
@description('Days Log Analytics keeps logs (the queue logs behind the poison alert live here too).')
param retentionInDays int = 90

@description('Data-plane roles on this resource: [{ principalId, principalType, roleDefinitionId }].')
param roleAssignments array = []

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for ra in roleAssignments: {
  name: guid(applicationInsights.id, ra.principalId, ra.roleDefinitionId)
  scope: applicationInsights
  properties: {
    principalId: ra.principalId
    principalType: ra.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
  }
}]

output logAnalyticsWorkspaceId string = logAnalytics.id
output logAnalyticsWorkspaceName string = logAnalytics.name
output applicationInsightsId string = applicationInsights.id
output applicationInsightsName string = applicationInsights.name
// The connection string names the resource (instrumentation key + ingestion endpoint); it is not a credential:
// with DisableLocalAuth true, ingestion also needs an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString

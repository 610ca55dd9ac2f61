// Alerts that need a human: a message reached a poison queue, or an outbox row went dead.
// Both are log alerts (evaluated every 5 minutes over the last 5 minutes) that mail one action group.
param namePrefix string
param location string = resourceGroup().location
param tags object = {}
param alertEmailAddress string
@description('Log Analytics workspace with the storage queue logs (StorageQueueLogs).')
param logAnalyticsWorkspaceId string
@description('Application Insights that receives the app\'s logs (traces).')
param applicationInsightsId string
@description('The inbound queue: its poison queue (<name>-poison) and that one\'s poison queue (<name>-poison-poison) are watched.')
param inboundQueueName string

// StorageQueueLogs keeps every PutMessage, unsampled: one row per message moved to a poison queue by the host.
var poisonQuery = 'StorageQueueLogs | where OperationName == "PutMessage" | where Uri contains "/${inboundQueueName}-poison" | summarize Messages = count() by QueueUri = tostring(split(Uri, "?")[0])'

// The delivery code logs `outbox dead …` (logger crm_core.delivery) when a row exhausts OUTBOX_MAX_ATTEMPTS.
var deadOutboxQuery = 'traces | where message contains "outbox dead" | summarize DeadRows = count()'

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-ops'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'crm-ops'
    enabled: true
    emailReceivers: [
      {
        name: 'ops-email'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-poison-queue'
  location: location
  tags: tags
  properties: {
    displayName: 'Inbound message reached a poison queue'
    description: 'A WhatsApp/app message failed maxDequeueCount times and was moved to a poison queue (length > 0). Read the failures in Application Insights (exceptions for process_inbound), fix the cause, then requeue or drop the message.'
    severity: 2
    enabled: true
    scopes: [
      logAnalyticsWorkspaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Messages'
          dimensions: [
            {
              name: 'QueueUri'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    // A new workspace has no StorageQueueLogs rows until the first queue call: do not fail validation on that.
    skipQueryValidation: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource deadOutboxAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-outbox-dead'
  location: location
  tags: tags
  properties: {
    displayName: 'Outbox row went dead (a reply or reminder was not delivered)'
    description: 'The outbox gave up on a message after OUTBOX_MAX_ATTEMPTS (log line "outbox dead" from crm_core.delivery). The row keeps its last error; fix the cause (Maytapi phone status, token) and re-arm the row.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: deadOutboxQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'DeadRows'
          dimensions: []
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
output poisonAlertQuery string = poisonQuery
output deadOutboxAlertQuery string = deadOutboxQuery

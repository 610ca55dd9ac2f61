// The web dashboard: static files (web/dist) on Azure Static Web Apps, served from its global edge with TLS and
// compression. It calls the Function App's public REST API (/api) with the same bearer tokens as any client; the
// Function App allows this site's origin through CORS_ORIGINS. No API key, no linked backend, no app settings:
// the site holds nothing secret, and `azd deploy web` uploads the build with the deployment token azd fetches.
param name string
@description('Static Web Apps regions are few; the content itself is served from the global edge.')
param location string
param tags object = {}

resource site 'Microsoft.Web/staticSites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'web' })
  sku: {
    name: 'Free'
    tier: 'Free'
  }
  properties: {
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
    enterpriseGradeCdnStatus: 'Disabled'
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostname
output uri string = 'https://${site.properties.defaultHostname}'

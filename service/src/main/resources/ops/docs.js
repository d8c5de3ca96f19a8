// Renders /openapi.yaml with Swagger UI. Everything this page loads comes from the service itself.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // A reference to read: no "Try it out" (the contract's server is localhost:8080, which need
    // not be where this page is served), and no badge from the public online validator.
    supportedSubmitMethods: [],
    validatorUrl: null,
    defaultModelsExpandDepth: 1,
    docExpansion: 'list'
  });
});

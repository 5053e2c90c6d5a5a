// Starts Swagger UI on the served document; kept out of the page so a strict CSP needs no inline script.
window.onload = function () {
  var root = document.getElementById("openapi");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#openapi",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
};

// Draw every chart from the spec inlined beside it; works from file:// with no network.
(function () {
  var boxes = document.querySelectorAll(".chart[data-spec]");
  if (typeof window.vegaEmbed !== "function") {
    boxes.forEach(function (el) { el.textContent = {{ _("Charts need assets/ next to this page.")|tojson }}; });
    console.error("lifealm: the Vega bundle did not load");
    return;
  }
  boxes.forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    window.vegaEmbed(el, spec, { actions: false, renderer: "svg" }).catch(function (err) {
      el.textContent = {{ _("This chart could not be drawn.")|tojson }};
      console.error("lifealm chart " + el.id + ": " + err);
    });
  });
})();

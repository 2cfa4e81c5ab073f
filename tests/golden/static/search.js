// The search page: Pagefind's UI over the index, one part per year. The newest part carries
// the search code and the others are merged in. The page gives the parts, its base path and
// the label's words as data attributes, so no script is inline (see search.html).
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  if (!box || !window.PagefindUI) return;
  var bundles = JSON.parse(box.getAttribute("data-bundles"));
  new PagefindUI({element: "#search", showSubResults: true, showImages: false,
                  baseUrl: box.getAttribute("data-base-url"), bundlePath: bundles[0],
                  mergeIndex: bundles.slice(1).map(function (b) { return {bundlePath: b}; })});
  // Pagefind's box has only an aria-label; readers and voice control want a visible label.
  var input = document.querySelector("#search input[type=text], #search input[type=search]");
  if (input) {
    input.id = "search-input";
    var label = document.createElement("label");
    label.htmlFor = "search-input";
    label.className = "search-label";
    label.textContent = box.getAttribute("data-label");
    input.parentNode.insertBefore(label, input);
  }
});

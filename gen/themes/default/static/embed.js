// Embeds (gen/markup/embeds.py): each card names the provider and links to the source, and
// nothing is requested from the provider until the reader presses Load. Then the provider's
// player replaces the button; the site's Content-Security-Policy allows exactly the players
// its stories embed (frame-src). Without this script the card's link still leads there.
(function () {
  var buttons = document.querySelectorAll("button.embed-load[data-embed-src]");
  Array.prototype.forEach.call(buttons, function (button) {
    var src = button.getAttribute("data-embed-src");
    if (src.indexOf("https://") !== 0) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = button.getAttribute("data-embed-title");
      frame.className = "embed-frame embed-" + button.getAttribute("data-embed-kind");
      frame.allow = "encrypted-media; fullscreen; picture-in-picture";
      frame.setAttribute("allowfullscreen", "");
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      button.replaceWith(frame);
      frame.focus();
    });
  });
})();

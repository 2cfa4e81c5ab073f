// A live blog in parts: a link to an update that has since moved to another part (an update
// filed late with an earlier time shifts the others) is forwarded to the part that holds it
// now, found in the blog's anchors.json. The page gives both addresses as data attributes
// (see live.html), so no script is inline.
(function () {
  var blog = document.querySelector("[data-anchors]");
  var id = location.hash.slice(8);
  if (!blog || location.hash.indexOf("#update-") !== 0 || document.getElementById("update-" + id)) return;
  fetch(blog.getAttribute("data-anchors")).then(function (r) { return r.json(); }).then(function (parts) {
    if (parts[id]) location.replace(blog.getAttribute("data-parts") + parts[id] + "/#update-" + id);
  });
})();

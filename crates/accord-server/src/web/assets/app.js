// Progressive enhancement only: every page works without this file.
// Asks before signing out everywhere, which ends sessions on other devices.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.getAttribute("action") === "/logout/everywhere" &&
      !window.confirm("Sign out on every device?")) {
    event.preventDefault();
  }
});

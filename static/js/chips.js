// A filter bar that scrolls sideways on a phone starts scrolled to its chosen filter, so the
// choice shows without swiping. Without this script the bar simply starts at its first link.
document.querySelectorAll(".chips__list").forEach((list) => {
  const current = list.querySelector("[aria-current]");
  if (current && list.scrollWidth > list.clientWidth) {
    const item = current.closest("li") || current;
    list.scrollLeft = item.offsetLeft - 16; // offsetLeft within the list (position: relative)
  }
});

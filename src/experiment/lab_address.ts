// Where the lab is served, and links to it. Every share link is built from
// the address the lab is actually served at (the page's own address in the
// lab; --link-base, LAB_URL or the project's config.labUrl on the command
// line), so a link copied from a hosted copy opens that copy, at its domain
// root or under any sub-path.

/**
 * A link to the lab served at `address` (any URL of its page: its query and
 * fragment are dropped, its path kept as is) carrying `params`. Links with
 * results put them in the fragment (`#`): servers cap the length of a query
 * string, and a fragment never reaches the server.
 */
export function labLink(address: string | URL, params: URLSearchParams, fragment = false): string {
  const u = new URL(address);
  u.search = '';
  u.hash = '';
  return `${u.href}${fragment ? '#' : '?'}${params.toString()}`;
}

/**
 * A lab address as a person types it (`https://you.github.io/attention-lab`)
 * -> the address links are built on: http(s) only, no query or fragment, and
 * a folder's path ends in '/' (a page's relative asset paths resolve against
 * it: `/attention-lab` would load `/assets/...`, outside the lab). A path
 * naming an .html page is kept. Throws a RangeError saying what is wrong.
 */
export function normalizeLabAddress(text: string): string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new RangeError('is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RangeError('must start with http:// or https://');
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/') && !/\.html?$/i.test(u.pathname)) u.pathname += '/';
  return u.href;
}

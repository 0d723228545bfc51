// The browser app's entry: reads the route from the fragment and mounts the start page or a map.
// A new fragment (another map, another token) unmounts what was there first.
import { mountMap } from './map.js'
import { parseRoute } from './route.js'
import { readToken } from './token.js'
import { mountStart } from './views/start.js'

const root = document.getElementById('app')!
let unmount: (() => void) | null = null
// null, not '': the bare root (an empty hash) must mount the start page on the first call.
let mounted: string | null = null

function show(notice?: string): void {
  if (location.hash === mounted && notice === undefined) return
  mounted = location.hash
  unmount?.()
  unmount = null
  const route = parseRoute(location.hash)
  if (route.kind === 'start') {
    unmount = mountStart(root, route.token, route.error)
    return
  }
  const me = readToken(route.token)
  if (!route.token || !me) {
    unmount = mountStart(root, route.token, route.token ? 'That link carries a token that cannot be read.' : 'That link has no token. Paste the whole link you were given.')
    return
  }
  if (me.role === 'exporter') {
    unmount = mountStart(root, route.token, 'This token is for the REST API (exporter): it cannot open a live map.')
    return
  }
  unmount = mountMap(root, route.docId, route.token, me, { reload: (message) => show(message), ...(notice ? { notice } : {}) })
}

window.addEventListener('hashchange', () => show())
show()

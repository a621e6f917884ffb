import type { Session, WebContents, WebPreferences } from 'electron';

/** The window's web preferences: isolated, sandboxed, no Node in the page. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** Denies navigation away from the app, new windows, <webview> and every permission request. */
export function hardenContents(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Whether a URL is inside the app's own folder (or dev server): compared after normalising `..`, with a trailing
 * separator so that a sibling folder (`renderer-evil/`) does not pass for the app's.
 */
export function appUrlCheck(base: string): (url: string) => boolean {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return (url) => {
    try {
      return new URL(url).href.startsWith(prefix);
    } catch {
      return false;
    }
  };
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

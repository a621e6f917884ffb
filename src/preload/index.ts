import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createIpcApi } from './ipcApi';

/** The renderer's only door to the app: one object derived from the contract, no ipcRenderer, no Node. */
contextBridge.exposeInMainWorld('api', createIpcApi({ ipcRenderer, webUtils }));

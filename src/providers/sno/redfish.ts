/** The Redfish client moved to common/ (the ipi power-off uses it too); this path stays for existing importers. */
export * from '../common/redfish.js';

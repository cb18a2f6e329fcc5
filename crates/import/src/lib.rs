//! Lead import from Salesforce and HubSpot CSV exports: preview, mapping, row-level errors.

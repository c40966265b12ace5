"""The seed's RawDataSource feature request: what the demo files, as an agent would."""

from __future__ import annotations

from typing import Any

RAW_DATA_SOURCE_REQUEST: dict[str, Any] = {
    "title": "RawDataSource entity and API",
    "description": (
        "Create entity to store configuration for external data sources (databases, APIs, "
        "files, streams) that feed into the platform."
    ),
    "user_story": (
        "As a data engineer, I want to register and manage data source configurations so "
        "that I can set up data ingestion pipelines without DevOps help."
    ),
    "acceptance_criteria": [
        "Entity created with all required fields",
        "CRUD API endpoints working",
        "Custom endpoints: sync, test_connection, sync-all",
        "Validation on all fields (name max 100 chars, refresh min 60s)",
        "Unique constraint on name",
        "Connection string marked as sensitive",
        "Tests with 80%+ coverage",
        "API documented in OpenAPI",
    ],
    "entity_definition": {
        "name": "RawDataSource",
        "layer": "infrastructure",
        "fields": [
            {"name": "id", "type": "uuid", "primary_key": True},
            {"name": "name", "type": "string", "required": True, "max_length": 100},
            {
                "name": "source_type",
                "type": "enum",
                "values": ["database", "api", "file", "stream", "webhook"],
            },
            {"name": "connection_string", "type": "string", "required": True, "sensitive": True},
            {"name": "schema_definition", "type": "json"},
            {"name": "refresh_interval", "type": "integer", "default": 3600, "min": 60},
            {"name": "is_active", "type": "boolean", "default": True},
            {"name": "last_sync_at", "type": "datetime"},
            {
                "name": "sync_status",
                "type": "enum",
                "values": ["pending", "syncing", "success", "failed"],
                "default": "pending",
            },
            {"name": "error_message", "type": "string"},
            {"name": "metadata", "type": "json"},
            {"name": "tags", "type": "json", "description": "Array of tags for categorization"},
            {"name": "created_at", "type": "datetime", "auto_now_add": True},
            {"name": "updated_at", "type": "datetime", "auto_now": True},
        ],
        "indexes": [
            {"fields": ["name"], "unique": True},
            {"fields": ["source_type", "is_active"]},
            {"fields": ["sync_status"]},
        ],
    },
    "api_endpoints": [
        "GET /raw-data-sources - List with filters (type, status, active) and pagination",
        "GET /raw-data-sources/{id} - Get single source",
        "POST /raw-data-sources - Create new source",
        "PUT /raw-data-sources/{id} - Update source",
        "DELETE /raw-data-sources/{id} - Delete source",
        "POST /raw-data-sources/{id}/sync - Trigger manual sync",
        "POST /raw-data-sources/{id}/test - Test connection",
        "POST /raw-data-sources/sync-all - Sync all active sources",
    ],
    "ui_requirements": (
        "DataSourceWorkbench with Bento layout: stats panel, data table with filters, "
        "detail panel with sync history"
    ),
}

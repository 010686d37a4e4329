/**
 * Ordered schema migrations. Migration N brings the database from user_version N-1 to N.
 * Never edit a released migration: add a new one at the end (and its own test).
 */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'projects, media, frame sets, images, jobs',
    up: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','PROCESSING','COMPLETED','FAILED')),
        assigned_model TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
        params_json TEXT NOT NULL,
        progress REAL NOT NULL DEFAULT 0,
        stage TEXT,
        error_json TEXT,
        result_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX jobs_project ON jobs(project_id, created_at);
      CREATE INDEX jobs_status ON jobs(status);
      CREATE TABLE media_sources (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('video','image')),
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        probe_json TEXT NOT NULL,
        poster TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (project_id, sha256)
      );
      CREATE TABLE frame_sets (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        media_id INTEGER NOT NULL REFERENCES media_sources(id) ON DELETE CASCADE,
        params_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','running','complete','failed','cancelled','interrupted')),
        frame_count INTEGER NOT NULL DEFAULT 0,
        dir TEXT NOT NULL,
        job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX frame_sets_project ON frame_sets(project_id);
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        frame_set_id INTEGER REFERENCES frame_sets(id) ON DELETE CASCADE,
        media_id INTEGER REFERENCES media_sources(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('frame','imported')),
        file TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        timestamp_s REAL,
        frame_index INTEGER,
        has_result INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX images_project ON images(project_id, id);
      CREATE INDEX images_frame_set ON images(frame_set_id, frame_index);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'local inference: model library, model runs, per-image results',
    up: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('downloaded','imported','cloud-trained')),
        manifest_json TEXT NOT NULL,
        dir TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE model_runs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        frame_set_id INTEGER REFERENCES frame_sets(id) ON DELETE SET NULL,
        model_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        task TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('all','remaining')),
        status TEXT NOT NULL CHECK (status IN ('running','completed','failed','cancelled','interrupted')),
        job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
        provider TEXT,
        attempts_json TEXT NOT NULL DEFAULT '[]',
        batch_size INTEGER NOT NULL,
        notices_json TEXT NOT NULL DEFAULT '[]',
        image_ids_json TEXT NOT NULL DEFAULT '[]',
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        seconds REAL NOT NULL DEFAULT 0,
        error_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX model_runs_project ON model_runs(project_id, id);
      CREATE TABLE inference_results (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES model_runs(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        model_id TEXT NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0,1)),
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        output_json TEXT,
        error_json TEXT,
        ms REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, image_id)
      );
      CREATE INDEX inference_results_image ON inference_results(image_id, model_id);
    `,
  },
  {
    version: 3,
    name: 'media: per-frame sharpness, frame-set extraction report',
    up: `
      ALTER TABLE images ADD COLUMN sharpness REAL;
      ALTER TABLE frame_sets ADD COLUMN report_json TEXT;
    `,
  },
  {
    version: 4,
    name: 'cloud outbox: work waiting for a cloud service (references only, never a secret)',
    up: `
      CREATE TABLE cloud_outbox (
        id INTEGER PRIMARY KEY,
        service TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        ref TEXT,
        status TEXT NOT NULL CHECK (status IN ('queued','sending','sent','failed','cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error_json TEXT,
        result_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX cloud_outbox_pending ON cloud_outbox(service, status, id);
      CREATE INDEX cloud_outbox_ref ON cloud_outbox(ref);
    `,
  },
  {
    version: 5,
    name: 'cloud jobs: Atlas 3D generation submissions (model, media, fields, state, upload, requestId, results)',
    up: `
      CREATE TABLE cloud_jobs (
        id TEXT PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        service TEXT NOT NULL DEFAULT 'atlas',
        model TEXT NOT NULL CHECK (model IN ('nerf2mesh','gs3d','instant-mesh','musepose','decal')),
        media_id INTEGER NOT NULL,
        image_media_id INTEGER,
        fields_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued','uploading','processing','downloading','done','failed','cancelled')),
        note TEXT,
        upload_json TEXT,
        download_json TEXT,
        request_id TEXT,
        cloud_status TEXT CHECK (cloud_status IN ('PROGRESS','OK','NG')),
        results_json TEXT NOT NULL DEFAULT '[]',
        error_json TEXT,
        outbox_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX cloud_jobs_project ON cloud_jobs(project_id, created_at);
      CREATE INDEX cloud_jobs_state ON cloud_jobs(state);
      CREATE INDEX cloud_jobs_request ON cloud_jobs(request_id);
    `,
  },
  {
    version: 6,
    name: 'compute sessions: GPU/CPU containers the studio started or found (seed 003), kept so a running one is never lost',
    up: `
      CREATE TABLE compute_sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        base_url TEXT NOT NULL,
        user_id TEXT NOT NULL,
        container_id TEXT NOT NULL,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        started_here INTEGER NOT NULL DEFAULT 0 CHECK (started_here IN (0, 1)),
        cluster_id TEXT NOT NULL CHECK (cluster_id IN ('cpu','gpu')),
        state TEXT NOT NULL CHECK (state IN ('creating','running','failed','stopped','ended','unknown')),
        creation_status TEXT CHECK (creation_status IN ('pending','createContainer','success','failed')),
        service_status TEXT,
        image_path TEXT,
        storage_path TEXT,
        node_id INTEGER,
        max_duration INTEGER,
        remaining_time INTEGER,
        observed_at TEXT,
        jupyter TEXT,
        shell TEXT,
        created_at TEXT,
        started_at TEXT,
        error TEXT,
        warned_ends_at TEXT,
        updated_at TEXT NOT NULL,
        ended_at TEXT,
        UNIQUE (base_url, container_id)
      );
      CREATE INDEX compute_sessions_user ON compute_sessions(base_url, user_id, state);
      CREATE INDEX compute_sessions_project ON compute_sessions(project_id);
    `,
  },
  {
    version: 7,
    name: 'vision training (seed 001): datasets uploaded, chat sessions, workflows followed, their per-epoch metrics, pulled models with lineage',
    up: `
      CREATE TABLE vision_datasets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        base_url TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        name TEXT NOT NULL,
        format TEXT,
        description TEXT,
        status TEXT,
        size_mb REAL,
        file_count INTEGER,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        reply_json TEXT,
        validation_json TEXT,
        created_at TEXT,
        uploaded_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (base_url, dataset_id)
      );
      CREATE TABLE vision_chat_sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        base_url TEXT NOT NULL,
        session_id TEXT NOT NULL,
        title TEXT NOT NULL,
        last_type TEXT,
        last_reply_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (base_url, session_id)
      );
      CREATE TABLE vision_workflows (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        base_url TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        started_here INTEGER NOT NULL DEFAULT 0 CHECK (started_here IN (0, 1)),
        state TEXT NOT NULL CHECK (state IN ('pending','training','completed','failed','cancelled','unknown')),
        service_status TEXT,
        task_type TEXT,
        model TEXT,
        dataset_id TEXT,
        class_names_json TEXT NOT NULL DEFAULT '[]',
        config_json TEXT,
        detail_json TEXT,
        current_epoch INTEGER,
        total_epochs INTEGER,
        percentage REAL,
        last_progress_json TEXT,
        final_metrics_json TEXT,
        error TEXT,
        queue_position INTEGER,
        estimated_duration_minutes REAL,
        local_model_id TEXT,
        notified_state TEXT,
        created_at TEXT,
        started_at TEXT,
        completed_at TEXT,
        updated_at TEXT NOT NULL,
        UNIQUE (base_url, workflow_id)
      );
      CREATE INDEX vision_workflows_state ON vision_workflows(state);
      CREATE TABLE vision_metrics (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workflow INTEGER NOT NULL REFERENCES vision_workflows(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL CHECK (epoch >= 0),
        step INTEGER,
        timestamp TEXT,
        metrics_json TEXT NOT NULL,
        extra_json TEXT,
        source TEXT NOT NULL CHECK (source IN ('ws','history','detail')),
        received_at TEXT NOT NULL,
        UNIQUE (workflow, epoch)
      );
      CREATE TABLE vision_models (
        model_id TEXT PRIMARY KEY,
        base_url TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        dataset_id TEXT,
        base_model TEXT,
        lineage_json TEXT NOT NULL,
        pulled_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'datasets built in the studio: images labelled by class and split, the health report, the package and where it was uploaded (lineage dataset → workflow → model)',
    up: `
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        task TEXT NOT NULL CHECK (task IN ('classification','detection')),
        format TEXT NOT NULL,
        classes_json TEXT NOT NULL,
        split_json TEXT NOT NULL,
        report_json TEXT,
        package_file TEXT,
        package_bytes INTEGER,
        remote_base_url TEXT,
        remote_id TEXT,
        remote_status TEXT,
        uploaded_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX datasets_project ON datasets(project_id, id);
      CREATE INDEX datasets_remote ON datasets(remote_id);
      CREATE TABLE dataset_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        image_id INTEGER REFERENCES images(id) ON DELETE SET NULL,
        file TEXT NOT NULL,
        class_name TEXT NOT NULL,
        split TEXT NOT NULL CHECK (split IN ('train','val','test')),
        sha256 TEXT,
        width INTEGER,
        height INTEGER
      );
      CREATE INDEX dataset_items_dataset ON dataset_items(dataset_id, split);
    `,
  },
  {
    version: 9,
    name: 'Solana registry and royalties (seed 002): models registered on chain (PDA, transaction, lineage parent) and the payments made for them with their outcome',
    up: `
      CREATE TABLE registered_models (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        api_base_url TEXT NOT NULL,
        model_pda TEXT NOT NULL,
        parent_pda TEXT,
        local_model_id TEXT,
        relationship TEXT NOT NULL CHECK (relationship IN ('root','derived','fine-tuned')),
        name TEXT NOT NULL,
        version_name TEXT NOT NULL,
        wallet_address TEXT NOT NULL,
        pricing_json TEXT NOT NULL,
        request_json TEXT NOT NULL,
        transaction_hash TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        UNIQUE (api_base_url, model_pda)
      );
      CREATE INDEX registered_models_local ON registered_models(local_model_id);
      CREATE INDEX registered_models_parent ON registered_models(api_base_url, parent_pda);
      CREATE TABLE royalty_payments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        api_base_url TEXT NOT NULL,
        rpc_url TEXT NOT NULL,
        model_pda TEXT,
        tier TEXT,
        payer TEXT NOT NULL,
        recipient TEXT NOT NULL,
        lamports INTEGER NOT NULL CHECK (lamports >= 0),
        signature TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('sent','confirmed','verified','too_small','distributed','failed')),
        preview_json TEXT,
        outcome_json TEXT,
        matches_preview INTEGER CHECK (matches_preview IN (0, 1)),
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX royalty_payments_model ON royalty_payments(model_pda, created_at);
    `,
  },
  {
    version: 10,
    name: 'contributor node: opt-in, policy and command (one row), the local ledger of jobs, device time per day and cluster',
    up: `
      CREATE TABLE contributor_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        opted_in INTEGER NOT NULL DEFAULT 0 CHECK (opted_in IN (0, 1)),
        consent_version INTEGER,
        consented_at TEXT,
        network_url TEXT,
        node_id TEXT,
        policy_json TEXT,
        command TEXT NOT NULL DEFAULT 'none' CHECK (command IN ('none','pause_now','finish_then_stop')),
        updated_at TEXT NOT NULL
      );
      CREATE TABLE contributor_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        network_url TEXT NOT NULL,
        job_id TEXT NOT NULL,
        replica INTEGER NOT NULL,
        lease_id TEXT NOT NULL,
        cluster TEXT NOT NULL CHECK (cluster IN ('cpu','gpu')),
        inputs INTEGER NOT NULL CHECK (inputs >= 0),
        device_ms INTEGER NOT NULL CHECK (device_ms >= 0),
        claimed_credit REAL NOT NULL CHECK (claimed_credit >= 0),
        granted_credit REAL,
        status TEXT NOT NULL CHECK (status IN ('pending_validation','valid','invalid','rejected','released')),
        day TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (network_url, lease_id)
      );
      CREATE INDEX contributor_ledger_day ON contributor_ledger(day);
      CREATE TABLE contributor_usage (
        day TEXT NOT NULL,
        cluster TEXT NOT NULL CHECK (cluster IN ('cpu','gpu')),
        device_ms INTEGER NOT NULL DEFAULT 0 CHECK (device_ms >= 0),
        PRIMARY KEY (day, cluster)
      );
    `,
  },
  {
    version: 11,
    name: 'network jobs the creator submitted (model over a frame set, paid with credit) and the local run their outputs came back as',
    up: `
      CREATE TABLE network_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        network_url TEXT NOT NULL,
        remote_job_id TEXT,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        frame_set_id INTEGER REFERENCES frame_sets(id) ON DELETE SET NULL,
        model_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        task TEXT NOT NULL,
        redundancy INTEGER NOT NULL CHECK (redundancy BETWEEN 1 AND 3),
        cluster TEXT NOT NULL CHECK (cluster IN ('cpu','gpu')),
        image_ids_json TEXT NOT NULL,
        inputs_json TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL CHECK (state IN ('uploading','queued','running','validating','done','failed','cancelled')),
        uploaded INTEGER NOT NULL DEFAULT 0,
        to_upload INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        cost REAL,
        spent REAL,
        run_id INTEGER REFERENCES model_runs(id) ON DELETE SET NULL,
        error_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        UNIQUE (network_url, remote_job_id)
      );
      CREATE INDEX network_jobs_project ON network_jobs(project_id, created_at);
    `,
  },
];

export const LATEST_VERSION = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;

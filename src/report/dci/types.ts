/** Shapes of the control-server resources the agent reads (only the fields it uses; servers send more). */
import type { JobState } from '../../core/events.js';

export const DCI_JOB_STATES: readonly JobState[] = ['new', 'pre-run', 'running', 'post-run', 'success', 'failure', 'error', 'killed'];
/** Final for the pipeline (the server's own final set leaves out killed). */
export const DCI_FINAL_JOB_STATES: readonly JobState[] = ['success', 'failure', 'error', 'killed'];

export interface DciIdentity {
  id: string;
  name?: string | null;
  teams: Record<string, { team_name?: string; name?: string; state?: string; has_pre_release_access?: boolean }>;
}

export interface DciTopic {
  id: string;
  name: string;
  component_types?: string[];
  export_control?: boolean;
  state?: string;
  data?: Record<string, unknown>;
  product_id?: string | null;
}

export interface DciComponent {
  id: string;
  name: string;
  display_name?: string;
  type: string;
  version?: string;
  uid?: string;
  url?: string;
  tags?: string[];
  state?: string;
  data?: Record<string, unknown>;
  topic_id: string;
  team_id?: string | null;
  created_at?: string;
  released_at?: string;
}

export interface DciJobStateRecord {
  id: string;
  created_at?: string;
  status: JobState;
  comment?: string | null;
  job_id: string;
}

export interface DciFileRecord {
  id: string;
  name: string;
  mime?: string | null;
  size?: number;
  job_id?: string | null;
  jobstate_id?: string | null;
  created_at?: string;
}

export interface DciJob {
  id: string;
  name?: string;
  status: JobState;
  topic_id: string;
  team_id?: string;
  remoteci_id?: string;
  comment?: string | null;
  configuration?: string | null;
  url?: string | null;
  tags?: string[];
  data?: Record<string, unknown>;
  previous_job_id?: string | null;
  created_at?: string;
  etag?: string;
  components?: DciComponent[];
  jobstates?: DciJobStateRecord[];
  files?: DciFileRecord[];
  keys_values?: Array<{ key: string; value: number; job_id?: string }>;
  results?: Array<Record<string, unknown>>;
  topic?: DciTopic;
}

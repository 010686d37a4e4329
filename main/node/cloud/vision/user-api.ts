/** Seed 001 §6 User & Projects: GET /user/profile, GET /projects. */
import type { HttpClient } from '../http-client';
import { ProfileReply, ProjectsReply } from './schemas';

export class UserApi {
  constructor(private readonly http: HttpClient) {}

  profile(signal?: AbortSignal): Promise<ProfileReply> {
    return this.http.request({ path: '/user/profile', schema: ProfileReply, signal });
  }

  projects(signal?: AbortSignal) {
    return this.http.request({ path: '/projects', schema: ProjectsReply, signal });
  }
}

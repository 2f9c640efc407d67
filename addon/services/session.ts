/** Who is acting, for the Audit tab. */

export const UNKNOWN_USER = 'unknown user';

/**
 * The active user's email. Simple triggers (onEdit) and consumer accounts outside the owner's domain may not
 * be told who the user is: Apps Script then returns '' (or throws in no-auth mode), and we record
 * "unknown user" rather than nothing.
 */
export function currentUserEmail(): string {
  try {
    const email = Session.getActiveUser().getEmail();
    return email ? email : UNKNOWN_USER;
  } catch {
    return UNKNOWN_USER;
  }
}

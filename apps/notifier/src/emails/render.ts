import type { EmailJob } from '@llmgw/contracts';
import type { RenderedEmail } from './email';
import { renderInvitation } from './invitation/invitation.template';
import { renderPasswordReset } from './password-reset/password-reset.template';

/** One renderer per template; adding a template to `emailJobSchema` makes this switch fail to compile. */
export function renderEmail(job: EmailJob): RenderedEmail {
  switch (job.template) {
    case 'invitation':
      return renderInvitation(job);
    case 'password_reset':
      return renderPasswordReset(job);
    default: {
      const never: never = job;
      throw new Error(`no renderer for ${JSON.stringify(never)}`);
    }
  }
}

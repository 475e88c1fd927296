/**
 * What other features add to a campaign's pages. The public page is cached per version and shared by every visitor,
 * here and in shared caches in front: a section says what its part depends on (`version`) and renders with
 * placeholders for the values that differ per response (`tokens`), none of which is a visitor's own.
 */
import type { FastifyInstance } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { FieldErrors } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import type { FormValues } from '../../web/fields.tsx';
import type { Campaign } from './model.ts';

/**
 * Values a form on the shared campaign page gets per response: the stamp shared by everyone who gets this copy, and the
 * share code of its address. Never a visitor's own token: shared caches hand the page to everyone.
 */
export interface PageTokens {
  stamp: string;
  ref: string;
}

/** A form on a page no cache keeps also carries the visitor's CSRF token (and its own stamp). */
export interface FormTokens extends PageTokens {
  csrf: string;
}

/** A rejected submission shown again, its values kept and each error beside its field, on the form it came from. */
export interface RejectedForm {
  /** Which form on the page (the section that owns it decides the names). */
  form: string;
  values: FormValues;
  errors: FieldErrors;
}

export interface CampaignSectionInput {
  app: FastifyInstance;
  campaign: Campaign;
}

export interface CampaignSection {
  /** Changes whenever what the section shows could change: part of the key of the cached page. */
  version(input: CampaignSectionInput): string | Promise<string>;
  render(
    input: CampaignSectionInput & { ctx: PageContext; tokens: PageTokens; rejected: RejectedForm | undefined },
  ): ComponentChildren | Promise<ComponentChildren>;
}

export interface CampaignAdminSection {
  /** `jump`: a link near the top of the campaign's admin page; `body`: the section, after the campaign's form. */
  render(input: CampaignSectionInput & { ctx: PageContext }): Promise<{ jump?: ComponentChildren; body: ComponentChildren }>;
}

export interface DashboardNotice {
  render(input: { app: FastifyInstance; ctx: PageContext }): ComponentChildren | Promise<ComponentChildren>;
}

/** Accessible form fields: every input has a label, its hint and error are tied to it with aria-describedby. */
import type { ComponentChildren } from 'preact';
import type { FieldErrors } from '../errors.ts';
import type { PageContext } from './context.ts';

export type FormValues = Record<string, unknown>;

export function valueOf(values: FormValues, name: string): string {
  const value = values[name];
  return typeof value === 'string' ? value : '';
}

interface FieldProps {
  ctx: PageContext;
  name: string;
  label: string;
  hint?: string;
  errors: FieldErrors;
}

function describedBy(name: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldFrame({ ctx, name, label, hint, errors, children }: FieldProps & { children: ComponentChildren }) {
  const error = errors[name];
  return (
    <div class="field">
      <label for={name}>{label}</label>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${name}-error`}>
          {ctx.t(error)}
        </p>
      ) : null}
      {children}
    </div>
  );
}

export function TextField(
  props: FieldProps & {
    values: FormValues;
    type?: 'text' | 'email' | 'password' | 'date';
    autocomplete?: string;
    required?: boolean;
    maxLength?: number;
    inputMode?: 'numeric';
  },
) {
  const { name, hint, errors, values } = props;
  return (
    <FieldFrame {...props}>
      <input
        {...({
          // Preact types each input type separately; this element serves several, so its attributes are assembled here.
          type: props.type ?? 'text',
          id: name,
          name,
          value: props.type === 'password' ? undefined : valueOf(values, name),
          autocomplete: props.autocomplete,
          required: props.required,
          maxLength: props.maxLength,
          inputMode: props.inputMode,
          'aria-describedby': describedBy(name, hint, errors[name]),
          'aria-invalid': errors[name] ? 'true' : undefined,
        } as Record<string, unknown>)}
      />
    </FieldFrame>
  );
}

/** A drop-down of fixed choices, each with its label; the submitted value is checked against the same list. */
export function SelectField(props: FieldProps & { values: FormValues; options: readonly { value: string; label: string }[]; required?: boolean }) {
  const { name, hint, errors, values, options } = props;
  const selected = valueOf(values, name);
  return (
    <FieldFrame {...props}>
      <select
        id={name}
        name={name}
        required={props.required}
        aria-describedby={describedBy(name, hint, errors[name])}
        aria-invalid={errors[name] ? 'true' : undefined}
      >
        {options.map((option) => (
          <option value={option.value} selected={option.value === selected}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function TextArea(props: FieldProps & { values: FormValues; rows?: number; required?: boolean; maxLength?: number }) {
  const { name, hint, errors, values } = props;
  return (
    <FieldFrame {...props}>
      <textarea
        id={name}
        name={name}
        rows={props.rows ?? 6}
        required={props.required}
        maxLength={props.maxLength}
        aria-describedby={describedBy(name, hint, errors[name])}
        aria-invalid={errors[name] ? 'true' : undefined}
      >
        {valueOf(values, name)}
      </textarea>
    </FieldFrame>
  );
}

export function Checkbox({ name, label, checked, value = '1', id }: { name: string; label: string; checked: boolean; value?: string; id?: string }) {
  const inputId = id ?? name;
  return (
    <div class="checkbox">
      <input type="checkbox" id={inputId} name={name} value={value} checked={checked} />
      <label for={inputId}>{label}</label>
    </div>
  );
}

/** The GOV.UK pattern: a summary at the top that links to each field in error. */
export function ErrorSummary({ ctx, errors, labels }: { ctx: PageContext; errors: FieldErrors; labels: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title">{ctx.t('admin.errorSummary')}</h2>
      <ul>
        {entries.map(([field, key]) => (
          <li>
            <a href={`#${field}`}>{`${labels[field] ?? field}: ${ctx.t(key)}`}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

import {
  downloads,
  getRunDetail,
  type Material,
  type PolicyEvaluation,
  type RecordedPolicies,
  type RunDetail,
  type Signer,
} from '../api';
import { ErrorMessage, KeyValueTable, Scrollable, Section, StatusBadge, Time } from '../components';
import { formatBytes } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';

/** Only http(s) job links become links: a CI-supplied `javascript:` URL stays text. */
function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function prettyStatement(statement: string): string {
  try {
    return JSON.stringify(JSON.parse(statement), null, 2);
  } catch {
    return statement;
  }
}

function Timeline({ detail }: { detail: RunDetail }) {
  return (
    <Section title="Timeline" className="timeline-section">
      <ol class="timeline">
        {detail.timeline.map((entry) => (
          <li key={`${entry.event}-${entry.at}`} data-event={entry.event}>
            <span class="event">{entry.event}</span> <Time iso={entry.at} />
            {entry.reason && (
              <>
                {': '}
                <span class="reason">{entry.reason}</span>
              </>
            )}
          </li>
        ))}
      </ol>
    </Section>
  );
}

function materialValue(material: Material): string {
  return material.value ?? material.imageName ?? material.fileName ?? '';
}

function MaterialsTable({ materials }: { materials: Material[] }) {
  if (materials.length === 0) {
    return (
      <Section title="Materials" className="materials-section">
        <p>This attestation has no materials.</p>
      </Section>
    );
  }
  return (
    <section class="materials-section">
      <table class="materials">
        <caption>Materials</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Value or file</th>
            <th scope="col">Digest</th>
            <th scope="col">Size</th>
            <th scope="col">Annotations</th>
            <th scope="col">Download</th>
          </tr>
        </thead>
        <tbody>
          {materials.map((material) => (
            <tr key={material.name} data-material={material.name}>
              <td class="name">{material.name}</td>
              <td class="kind">{material.kind}</td>
              <td class="value">{materialValue(material)}</td>
              <td class="digest">
                <code>{material.digest}</code>
              </td>
              <td class="size">{material.size === undefined ? '' : formatBytes(material.size)}</td>
              <td class="annotations">
                {Object.keys(material.annotations).length > 0 && (
                  <dl>
                    {Object.entries(material.annotations).map(([name, value]) => (
                      <div key={name}>
                        <dt>{name}</dt>
                        <dd>{value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </td>
              <td class="download">
                {material.downloadable && (
                  <a
                    class="download-blob"
                    href={downloads.blob(material.digest, material.fileName ?? material.name)}
                    download={material.fileName ?? material.name}
                  >
                    Download <span class="visually-hidden">{material.name}</span>
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** `passed`, `1 violation`, `3 violations` or `skipped`, as `chainloop workflow run describe` words it. */
function policyResult(evaluation: PolicyEvaluation): string {
  if (evaluation.skipped) return 'skipped';
  const count = evaluation.violations.length;
  if (count === 0) return 'passed';
  return `${count} violation${count === 1 ? '' : 's'}`;
}

/** Each violation's message, after its subject when that says more than the policy's name (the default subject). */
function violationText(evaluation: PolicyEvaluation, violation: { subject: string; message: string }): string {
  return violation.subject !== '' && violation.subject !== evaluation.name
    ? `${violation.subject}: ${violation.message}`
    : violation.message;
}

/**
 * What the signed statement records about policies: they ran in CI and the control plane checks none of it, so
 * every name, reason and message is shown as the text it is.
 */
function PolicyEvaluations({ policies }: { policies: RecordedPolicies }) {
  const flags = [
    policies.hasViolations ? 'Some policies have violations.' : 'No policy violations.',
    policies.blockingStrategy && `Blocking strategy: ${policies.blockingStrategy}.`,
    policies.bypassed && 'The policy check was bypassed at push (--exception-bypass-policy-check).',
    policies.attBlocked && 'The attestation is blocked by its policies.',
  ].filter((flag): flag is string => typeof flag === 'string' && flag !== '');
  return (
    <section class="policies-section">
      <h3>Policy evaluations</h3>
      <p class="policy-flags" data-has-violations={String(policies.hasViolations)}>
        {flags.join(' ')}
      </p>
      {policies.evaluations.length === 0 ? (
        <p>No policies were evaluated for this attestation.</p>
      ) : (
        <table class="policy-evaluations">
          <caption class="visually-hidden">Policy evaluations</caption>
          <thead>
            <tr>
              <th scope="col">Material</th>
              <th scope="col">Policy</th>
              <th scope="col">Result</th>
              <th scope="col">Gate</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {policies.evaluations.map((evaluation, index) => (
              <tr
                // The statement may repeat a policy on a material; the position keeps rows apart.
                key={`${index}-${evaluation.materialName}-${evaluation.name}`}
                data-material={evaluation.materialName}
                data-policy={evaluation.name}
              >
                <td class="material">{evaluation.materialName === '' ? '(attestation)' : evaluation.materialName}</td>
                <td class="policy">
                  {evaluation.name}
                  {evaluation.reference && (
                    <>
                      {' '}
                      <code class="policy-reference">{evaluation.reference.uri}</code>
                    </>
                  )}
                  {evaluation.group && <span class="policy-group"> (group {evaluation.group})</span>}
                </td>
                <td class="result">{policyResult(evaluation)}</td>
                <td class="gate">{evaluation.gate ? 'yes' : 'no'}</td>
                <td class="details">
                  {evaluation.skipped && evaluation.skipReasons.length > 0 && (
                    <ul class="skip-reasons">
                      {evaluation.skipReasons.map((reason, at) => (
                        <li key={`${at}-${reason}`}>{reason}</li>
                      ))}
                    </ul>
                  )}
                  {evaluation.violations.length > 0 && (
                    <ul class="violations">
                      {evaluation.violations.map((violation, at) => (
                        <li key={`${at}-${violation.message}`} class="violation">
                          {violationText(evaluation, violation)}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function signerText(signer: Signer): string {
  if (signer.kind === 'key') {
    if (signer.keyName) return `key "${signer.keyName}" (${signer.fingerprint ?? 'unknown fingerprint'})`;
    return 'a key that is not registered for this workflow';
  }
  if (signer.kind === 'certificate') {
    return `certificate ${signer.serial} for ${signer.subject}, issued by ${signer.issuer}`;
  }
  return 'an unknown signer';
}

function Verification({ detail }: { detail: RunDetail }) {
  const { verification, offlineVerification, run } = detail;
  if (!verification) return null;
  return (
    <Section title="Verification" className="verification-section">
      <p
        class={`verification ${verification.verified ? 'verified' : 'not-verified'}`}
        data-verified={String(verification.verified)}
      >
        {verification.verified ? 'Verified' : 'Not verified'}
        {verification.verified ? ` with ${signerText(verification.signer)}.` : '.'}
        {!verification.verified && verification.reason && (
          <>
            {' '}
            <span class="reason">{verification.reason}</span>
          </>
        )}
      </p>
      <ul class="downloads">
        <li>
          <a class="bundle-download" href={downloads.bundle(run.id)} download>
            Download the Sigstore bundle
          </a>
        </li>
        <li>
          <a class="envelope-download" href={downloads.envelope(run.id)} download>
            Download the DSSE envelope
          </a>
        </li>
        {offlineVerification && (
          <li>
            <a class="verification-material" href={downloads.verificationMaterial(run.id)} download>
              Download {offlineVerification.materialFileName}
            </a>
          </li>
        )}
      </ul>
      {offlineVerification && (
        <>
          <p>Verify it offline, with the two files above:</p>
          <pre>
            <code class="offline-command">{offlineVerification.command}</code>
          </pre>
        </>
      )}
    </Section>
  );
}

/** One run: what it attested and whether the stored attestation verifies today. */
export function RunDetailView({ id }: { id: string }) {
  const loaded = useApi(() => getRunDetail(id), id);
  if (loaded.error) return <ErrorMessage message={loaded.error} />;
  if (!loaded.data) return <p>Loading run…</p>;
  const detail = loaded.data;
  const { run, attestation } = detail;
  const jobLink = safeLink(run.jobUrl || attestation?.runnerUrl);
  return (
    <>
      <h2>
        Run <span class="run-id">{run.id}</span>
      </h2>
      <dl class="run-summary">
        <div>
          <dt>Workflow</dt>
          <dd>
            <a href={href(['runs'], { workflow: run.workflowId })}>{run.workflowName}</a>
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd class="run-status">
            <StatusBadge status={run.status} />
          </dd>
        </div>
        <div>
          <dt>Runner</dt>
          <dd class="runner">
            {run.runnerType}{' '}
            {jobLink ? (
              <a class="job-link" href={jobLink} rel="noreferrer noopener" target="_blank">
                CI job
              </a>
            ) : (
              run.jobUrl && <span class="job-url">{run.jobUrl}</span>
            )}
          </dd>
        </div>
        {run.projectVersion && (
          <div>
            <dt>Project version</dt>
            <dd class="project-version">{run.projectVersion}</dd>
          </div>
        )}
        <div>
          <dt>Contract revision</dt>
          <dd>
            <a href={href(['workflows', run.workflowId, 'contract'], { to: run.contractRevision })}>
              {run.contractRevision}
            </a>
          </dd>
        </div>
        {attestation && (
          <div>
            <dt>Attestation digest</dt>
            <dd>
              <code class="attestation-digest">{attestation.digest}</code>
            </dd>
          </div>
        )}
      </dl>
      <Timeline detail={detail} />
      {attestation ? (
        <>
          <Verification detail={detail} />
          <MaterialsTable materials={attestation.materials} />
          <PolicyEvaluations policies={attestation.policies} />
          <KeyValueTable
            caption="Environment"
            entries={attestation.env}
            empty="No environment variables."
            className="env-section"
          />
          <KeyValueTable
            caption="Annotations"
            entries={attestation.annotations}
            empty="No annotations."
            className="annotations-section"
          />
          <Section title="In-toto statement" className="statement-section">
            <Scrollable className="statement" label="In-toto statement">
              {prettyStatement(attestation.statement)}
            </Scrollable>
          </Section>
        </>
      ) : (
        <p>This run has no attestation ({run.status}).</p>
      )}
    </>
  );
}

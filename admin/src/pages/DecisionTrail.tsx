import type { DecisionTrail } from '../api/types';
import { humanise } from '../lib/format';
import { verdictLabel } from '../lib/labels';

export function DecisionTrailSection({ trail }: { trail: DecisionTrail | undefined }) {
  return (
    <section aria-labelledby="decision-heading">
      <h2 id="decision-heading">Why it was decided</h2>
      {!trail ? (
        <p>No decision was recorded for this token.</p>
      ) : (
        <>
          <p className="decision-summary">{trail.summary || humanise(trail.decision)}</p>
          {trail.steps.length > 0 && (
            <ol className="steps">
              {trail.steps.map((step, i) => {
                const inputs = Object.entries(step.inputs ?? {});
                return (
                  <li key={`${step.rule}-${i}`}>
                    <div className="step-head">
                      <strong>{humanise(step.rule)}</strong>{' '}
                      <span className={`badge verdict-${step.verdict.toLowerCase().replace(/_/g, '-')}`}>
                        {verdictLabel(step.verdict)}
                      </span>
                    </div>
                    <p>{step.explanation}</p>
                    {inputs.length > 0 && (
                      <details>
                        <summary>Inputs</summary>
                        <dl className="inputs">
                          {inputs.map(([name, value]) => (
                            <div key={name}>
                              <dt>{humanise(name)}</dt>
                              <dd>{value}</dd>
                            </div>
                          ))}
                        </dl>
                      </details>
                    )}
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

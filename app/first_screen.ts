// What a page opens on (issue 15's first minute), DOM-free for the unit tests:
// a fresh page (nothing in its address) gets the quick demo with the builder
// folded away; a link gets its own experiment, decoded against DEFAULT_RUN as
// always, so what an existing link means never depends on the fresh page's
// experiment.
import type { Experiment } from '../src/experiment/experiment';
import { presetExperiment, QUICK_DEMO } from '../src/experiment/presets';
import { type DecodedExperiment, encodeExperiment } from '../src/experiment/url';

export interface FirstScreen {
  experiment: Experiment;
  /**
   * Whether "Build your own" starts open: the page came from a link of an experiment of its own (not the quick
   * demo), a student link, a sweep or a results link, so the experiment is what the visitor came to see.
   */
  opensBuilder: boolean;
}

/** `params`: the address's parameters (the lab's own, such as `engine`, already removed). */
export function firstScreen(params: URLSearchParams, decoded: DecodedExperiment): FirstScreen {
  const demo = presetExperiment(QUICK_DEMO);
  const experiment = [...params.keys()].length === 0 ? demo : decoded.experiment;
  const opensBuilder =
    !!decoded.results ||
    !!decoded.teacher ||
    !!decoded.sweep ||
    encodeExperiment(experiment).toString() !== encodeExperiment(demo).toString();
  return { experiment, opensBuilder };
}

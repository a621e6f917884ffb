import { NotBuilt } from '../../components/NotBuilt';
import type { StepProps } from '../../wizard/types';

export function ReviewStep(_props: StepProps): React.JSX.Element {
  return <NotBuilt />;
}

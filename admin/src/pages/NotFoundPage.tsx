import { Link } from 'react-router-dom';
import { PageHeading } from '../components/PageHeading';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>
        There is no such page. <Link to="/search">Search tokens</Link>
      </p>
    </>
  );
}

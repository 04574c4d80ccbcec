import { join } from 'node:path';
import { ClusterRepo } from './cluster-repo';
import { openDatabase, type Db, type OpenOptions } from './database';
import { DatasetsRepo } from './datasets-repo';
import { ExperimentsRepo } from './experiments-repo';
import { RunsRepo } from './runs-repo';
import { ScenariosRepo } from './scenarios-repo';

/** The experiment store: one SQLite database in the data home, and the repositories over it. */
export class Store {
  readonly datasets: DatasetsRepo;
  readonly runs: RunsRepo;
  readonly scenarios: ScenariosRepo;
  readonly experiments: ExperimentsRepo;
  readonly cluster: ClusterRepo;

  private constructor(readonly db: Db) {
    this.datasets = new DatasetsRepo(db);
    this.runs = new RunsRepo(db);
    this.scenarios = new ScenariosRepo(db);
    this.experiments = new ExperimentsRepo(db);
    this.cluster = new ClusterRepo(db);
  }

  static open(home: string, options: OpenOptions = {}): Store {
    return new Store(openDatabase(join(home, 'workbench.sqlite'), options));
  }

  close(): void {
    this.db.close();
  }
}

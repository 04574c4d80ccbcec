export { kMeans, lloydKMeans, type KMeansOptions, type KMeansResult, type LloydOptions } from './kmeans';
